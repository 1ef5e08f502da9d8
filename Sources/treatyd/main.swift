print("treatyd")
