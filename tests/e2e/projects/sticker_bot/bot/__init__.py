"""A chat bot that draws stickers on request."""
