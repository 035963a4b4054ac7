package builtin.kubernetes.KSV039_test

import rego.v1

import data.builtin.kubernetes.KSV039 as check

limit_range(limits) := {
	"apiVersion": "v1",
	"kind": "LimitRange",
	"metadata": {"name": "limits", "namespace": "shop"},
	"spec": {"limits": limits},
}

test_denies_incomplete_limits if {
	msgs := {r.msg | some r in check.deny} with input as limit_range([{"type": "Container", "max": {"cpu": "1"}, "default": {"cpu": "500m"}}])
	msgs == {"LimitRange 'limits' in namespace 'shop' should have a limit entry that sets 'type', 'min', 'max', 'default' and 'defaultRequest'"}
}

test_passes_complete_entry if {
	count(check.deny) == 0 with input as limit_range([
		{"type": "Pod", "max": {"cpu": "2"}},
		{
			"type": "Container",
			"min": {"cpu": "100m"},
			"max": {"cpu": "1"},
			"default": {"cpu": "500m"},
			"defaultRequest": {"cpu": "200m"},
		},
	])
}
