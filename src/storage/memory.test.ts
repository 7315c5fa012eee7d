import { storageContract } from './contract.js';
import { MemoryStorage } from './memory.js';

storageContract('memory', async () => new MemoryStorage());
