/** An error the dashboard answers with its status and message (400 bad query, 404 unknown study or trial), never a stack. */
export class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
    this.name = 'HttpError';
  }
}

/** A 400 naming the query parameter and the value it got. */
export function badParam(name: string, value: string, expected: string): HttpError {
  return new HttpError(400, `Expected \`${name}\` to be ${expected}, got ${JSON.stringify(value)}`);
}
