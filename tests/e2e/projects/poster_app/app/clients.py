"""The one OpenAI client the app uses."""

from openai import OpenAI

client = OpenAI()
