"""The curated catalogue of instruct GGUF models a user can download on request, and the downloader."""
