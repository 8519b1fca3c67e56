"""Build the gallery's front page picture: python -m gallery.main"""

from .pages import save_picture


def main() -> None:
    save_picture("front.png", "gallery web front page: a lighthouse at dusk, oil painting")


if __name__ == "__main__":
    main()
