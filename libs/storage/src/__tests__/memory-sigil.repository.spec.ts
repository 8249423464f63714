import { MemorySigilRepository } from '../adapters/memory/memory-sigil.repository.js';
import { describeSigilRepositoryContract } from './sigil-repository.contract.js';

describeSigilRepositoryContract('memory', async () => {
  const repo = new MemorySigilRepository();
  return { repo, cleanup: () => repo.close() };
});
