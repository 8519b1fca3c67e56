"""The shared clients of the project the `vendored_client.py` script was copied from: an OpenAI
client, built where the script cannot see it (installed beside the script, not in its tree)."""

from openai import OpenAI

image_client = OpenAI()
