"""The crawl's online path on this machine: saved sites served over real HTTP(S) on loopback."""
