"""One module per agency format; each defines `ADAPTER` (an `Adapter` instance). Discovered by
`sources.registry.load_builtin()` the same way a plug-in adapter would be registered."""
