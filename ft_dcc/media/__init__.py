"""Media: H.264 review encodes, thumbnails and movie verification with ffmpeg."""
