"""The public catalogue: discovery (the matching rules), the catalogue reads (selectors),
publishing registered versions into the catalogue tables, the pages, their forms, and demo data."""
