import { CreateSigils1795736700000 } from './1795736700000-create-sigils.migration.js';
import { CountSigils1796200000000 } from './1796200000000-count-sigils.migration.js';
import { SigilChanges1796900000000 } from './1796900000000-sigil-changes.migration.js';

/** Every committed migration, oldest first. Append new ones; never edit one that has shipped. */
export const SIGIL_MIGRATIONS = [
  CreateSigils1795736700000,
  CountSigils1796200000000,
  SigilChanges1796900000000,
];
