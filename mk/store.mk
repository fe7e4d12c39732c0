# store layer
