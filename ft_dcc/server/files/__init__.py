"""The file store: signed uploads, multipart parts, disk faults and the media encoder."""
