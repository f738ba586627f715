"""Authorisation rules for the matrix test, one module per area. Each module has:

- `RULES`: {url key: (kwargs name or None, {role: expected GET status})}, using the helpers in
  tests.security.rules.common;
- `objects(org) -> {kwargs name: kwargs}`: objects its URLs need (inside the manager's scope, Environment,
  and outside the other manager's), created for the test.
"""
