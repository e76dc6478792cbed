"""Faults on purpose: crawls and commands killed at random points, persisted files corrupted, a
full disk, generated input; nothing lost, nothing doubled, one line of message."""
