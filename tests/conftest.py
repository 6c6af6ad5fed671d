"""Shared fixtures. Area-specific fixtures live in each test folder's conftest.py."""
