"""Scores the trained model on the held-out part: accuracy (the step's `score`) and a per-class
report."""
import json

import lily
import numpy as np
from sklearn.metrics import accuracy_score, f1_score

data = np.load(lily.inputs["dataset"])
with open(lily.inputs["model"]) as f:
    model = json.load(f)
logits = data["x_test"] @ np.array(model["coef"]).T + np.array(model["intercept"])
predicted = np.array(model["classes"])[np.argmax(logits, axis=1)]
score = float(accuracy_score(data["y_test"], predicted))
lily.output("score", score)
lily.output(
    "report",
    {
        "C": model["C"],
        "accuracy": score,
        "macro_f1": float(f1_score(data["y_test"], predicted, average="macro")),
        "test_rows": int(len(predicted)),
    },
)
print(f"C={model['C']}: accuracy {score:.4f} on {len(predicted)} test rows")
