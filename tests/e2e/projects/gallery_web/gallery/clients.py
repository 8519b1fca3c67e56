"""The OpenAI client the gallery shares."""

from openai import OpenAI

client = OpenAI()
