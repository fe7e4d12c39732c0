# fuzz layer
