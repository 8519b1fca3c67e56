"""A small web gallery: renders pictures and saves the pages' images."""
