"""REST API views, one module per resource family; thin: they call services and selectors."""
