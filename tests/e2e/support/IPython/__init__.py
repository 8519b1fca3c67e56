"""A stand-in for the small part of IPython the end-to-end programs use (IPython is not installed).

The test copies this package next to a program that does ``from IPython.display import Image,
display``; ``display`` then "renders" images into IMAGE_OUT_DIR instead of a notebook.
"""


def get_ipython():
    """No interactive shell is running (libraries that probe for one, such as trio, ask this)."""
    return None
