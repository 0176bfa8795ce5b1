// The run store: see ResponseCache.
