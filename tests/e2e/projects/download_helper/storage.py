"""Keeping downloaded images on disk."""

import requests


class DownloadError(Exception):
    pass


def download_image(url, path):
    """Fetch ``url`` and write it to ``path``; returns the number of bytes written."""
    response = requests.get(url, timeout=30)
    response.raise_for_status()
    if response.status_code != 200:
        raise DownloadError(f"{url}: HTTP {response.status_code}")
    with open(path, "wb") as fh:
        fh.write(response.content)
    print(f"saved {path} ({len(response.content)} bytes)")
    return len(response.content)
