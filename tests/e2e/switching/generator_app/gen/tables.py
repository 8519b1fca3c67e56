"""What differs per model: which models the generator accepts, and how it prompts each."""

SUPPORTED_MODELS = ("dall-e-2", "dall-e-3")

PROMPT_TEMPLATES = {
    "dall-e-2": "switchboard sketch of {}",
    "dall-e-3": "switchboard oil painting of {}, dramatic light",
}

SIZES = {"dall-e-2": "512x512", "dall-e-3": "1792x1024"}
