"""Registration: submissions and service operations, the job engine they share, the worker's
pipeline, the timeline and its emails, and the gateway to the CAIO core (core/)."""
