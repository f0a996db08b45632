"""The marketplace: reader profiles, browse and search, favourites, specialties, readers' status,
the cache of the pages every visitor sees alike, profile photos (docs/marketplace.md)."""
