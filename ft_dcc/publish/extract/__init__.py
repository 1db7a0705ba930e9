"""Making the review media: capture through the host, encode and verify, stills, burn-ins."""
