"""The route matrix: every page and API operation × every persona → the one status policy.

- `personas.py`  who asks (the shared personas of the root conftest.py) and what they hold;
- `world.py`     one fixture world with an object of each kind in district A and district B;
- `routes.py`    the route table: per route the capability, the object and the method;
- `policy.py`    the expected status, derived from the table and the personas only;
- `digest.py`    a digest of every table, to prove that a denied request changed nothing.
"""
