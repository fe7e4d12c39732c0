# cli layer
