// Fixed capacities of the fast path's shared state (nothing grows under load).

/** Virtual services at once (ids 0..MAX_SERVICES-1). */
export const MAX_SERVICES = 4096;
/** Real servers at once, across services, including removed ones that still have connections. */
export const MAX_DESTS = 16384;
/** Threads that forward: the main thread (0) and up to MAX_WORKERS workers. */
export const MAX_WORKERS = 16;
export const MAX_THREADS = MAX_WORKERS + 1;
