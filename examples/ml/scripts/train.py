"""Trains a logistic regression on the training part; writes its parameters as JSON (a plain data
file: nothing is unpickled later)."""
import json
import os

import lily
import numpy as np
from sklearn.linear_model import LogisticRegression

data = np.load(lily.inputs["dataset"])
C = lily.inputs["C"]
model = LogisticRegression(C=C, max_iter=2000).fit(data["x_train"], data["y_train"])
path = os.environ["MODEL"]  # the declared output path (env: in ml.petal)
os.makedirs(os.path.dirname(path), exist_ok=True)
with open(path, "w") as f:
    json.dump(
        {
            "C": C,
            "classes": model.classes_.tolist(),
            "coef": model.coef_.tolist(),
            "intercept": model.intercept_.tolist(),
        },
        f,
    )
lily.output("iterations", int(np.max(model.n_iter_)))
print(f"trained with C={C} in {int(np.max(model.n_iter_))} iterations")
