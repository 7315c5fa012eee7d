/**
 * The Python interpreter for the PyTorch and Optuna peers: HZ_PYTHON, else Debian's /usr/bin/python3 (where
 * python3-torch and python3-optuna install; the first python3 on PATH may be a virtualenv without them).
 * HZ_PYTHON=/nonexistent simulates a machine without either peer.
 */
export function pythonPath(): string {
  return process.env['HZ_PYTHON'] || '/usr/bin/python3';
}
