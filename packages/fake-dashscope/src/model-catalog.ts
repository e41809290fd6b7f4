import type { Endpoint } from './match-endpoint.js';

/** Which models each native endpoint serves. */
export type ModelCatalog = Readonly<Record<Endpoint, ReadonlySet<string>>>;
