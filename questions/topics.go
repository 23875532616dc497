package questions

// KnownTopics lists the topics the built-in bank may use, by area, so that the
// drill's "weakest topics" and the bank's filters group questions the same
// way. Imported sets may use topics of their own.
var KnownTopics = map[string][]string{
	"coding patterns": {
		"arrays", "hashing", "two-pointers", "sliding-window", "stack", "queue", "binary-search",
		"linked-lists", "trees", "tries", "heaps", "backtracking", "graphs", "dynamic-programming",
		"greedy", "intervals", "math", "bit-manipulation", "sorting", "strings", "matrix",
		"prefix-sums", "counting", "simulation", "union-find", "topological-sort", "design",
	},
	"ML coding": {
		"ml-metrics", "ml-algorithms", "numerics", "sampling", "text-processing", "geometry",
		"time-series", "preprocessing", "linear-algebra",
	},
	"ML concepts": {
		"ml-fundamentals", "generalisation", "bias-variance", "evaluation", "metrics",
		"ranking-metrics", "calibration", "thresholds", "data-quality", "data-leakage",
		"class-imbalance", "feature-engineering", "feature-selection", "embeddings",
		"linear-models", "regression", "logistic-regression", "decision-trees", "ensembles",
		"svm", "kernels", "knn", "naive-bayes", "clustering", "dimensionality-reduction",
		"regularisation", "cross-validation", "model-selection", "optimisation",
		"neural-networks", "deep-learning", "cnn", "rnn", "attention", "transformers", "llm",
		"nlp", "computer-vision", "recommendations", "probability", "statistics",
		"ab-testing", "hypothesis-testing", "causal-inference", "mlops", "deployment",
		"monitoring", "drift", "retraining", "feature-store", "tabular-data", "time-series-models",
		"unsupervised-learning", "reinforcement-learning", "interpretability", "fairness",
	},
	"behavioral": {
		"motivation", "ownership", "ambiguity", "perseverance", "failure", "conflict",
		"collaboration", "empathy", "growth", "feedback", "communication", "leadership",
		"influence", "ml-judgement", "incident-response", "prioritisation", "mentoring",
	},
	"system design": {
		"problem-framing", "ranking", "retrieval", "search", "ads",
		"ctr-prediction", "fraud-detection", "churn", "content-moderation", "forecasting",
		"model-serving", "real-time", "batch-prediction", "online-learning", "experimentation",
		"data-pipelines", "training-pipelines", "uplift-modelling", "personalisation",
	},
}

// IsKnownTopic reports whether topic appears in KnownTopics.
func IsKnownTopic(topic string) bool {
	for _, list := range KnownTopics {
		for _, t := range list {
			if t == topic {
				return true
			}
		}
	}
	return false
}
