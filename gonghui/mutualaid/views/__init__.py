"""Pages of mutual aid: dashboard and plans (cadres), imports, payouts and batches, the member's
portal page. Each view parses, reaches its object through permissions.access_*, calls a service
or selector, and renders."""
