# sim layer
