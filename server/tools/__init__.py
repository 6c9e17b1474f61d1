"""Tools around the server, never imported by it: the bench, the load test and their client, the loss plots."""
