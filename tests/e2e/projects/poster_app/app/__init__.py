"""Poster generator for the marketing site."""
