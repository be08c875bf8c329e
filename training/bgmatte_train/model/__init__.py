from .generator import Generator, MattingGraph
from .discriminator import MultiscaleDiscriminator

__all__ = ["Generator", "MattingGraph", "MultiscaleDiscriminator"]
