# bearer layer
