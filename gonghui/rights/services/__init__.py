"""Every write of rights work, one module per subdomain."""
