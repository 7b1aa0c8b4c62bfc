"""The Dockerfile model and a parser that follows BuildKit's rules."""
