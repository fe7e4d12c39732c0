# engine layer
