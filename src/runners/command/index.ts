export { createCommandRunner, paramEnvName, type CommandRunnerOptions } from './runner.js';
export { GpuSlots } from './gpu-slots.js';
export { isProtocolLine, parseProtocolLine, type ProtocolLine, type ParseResult } from './protocol.js';
