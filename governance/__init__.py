"""The plan's governance (4. 取組の進め方, (2) 推進体制): the 行政経営プラン推進委員会, its
meetings and 意見・提言, the departments' responses approved and published by the 推進本部,
and the plan revisions the opinions led to."""
