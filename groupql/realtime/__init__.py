"""Live events: the bus that carries group events between requests and instances."""
