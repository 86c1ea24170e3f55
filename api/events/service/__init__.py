"""The events domain's services: reading events, managing webhook endpoints, dispatching
events to them and delivering them. Split by noun; import from the submodules."""
