"""Prepares the data set: scikit-learn's bundled digits (1797 8×8 images), scaled to [0, 1] and
split into train and test parts with a fixed seed."""
import os

import lily
import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

x, y = load_digits(return_X_y=True)
x_train, x_test, y_train, y_test = train_test_split(
    x / 16.0, y, test_size=lily.inputs["test_size"], random_state=lily.inputs["seed"], stratify=y
)
path = "out/data/digits.npz"
os.makedirs(os.path.dirname(path), exist_ok=True)
np.savez_compressed(path, x_train=x_train, x_test=x_test, y_train=y_train, y_test=y_test)
lily.output("rows", len(x))
print(f"{len(x_train)} training rows, {len(x_test)} test rows")
