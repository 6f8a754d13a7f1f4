"""Blueprints: each parses, authorizes, calls one domain function and shapes the answer."""
