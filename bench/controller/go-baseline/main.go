// The baseline of the controller benchmark: the completion job of agentbox's controller written the way a
// Go team would write it on controller-runtime (the framework of the Go reference), at its best real use:
// a label-filtered, managed-fields-stripped cache, no client-side rate limit, the same number of workers,
// keep-alive HTTP to the API server and to the registry, and a cached digest resolver. It watches the pool
// pods; when a starting or stopping pod's containers run the target digests with new container IDs, it
// writes the completion from its cached copy in one JSON patch guarded by tests on the phase label and the
// state (a GET + PUT when those moved on) — the same rule and the same writes as agentbox's controller.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/go-logr/logr"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/selection"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/tools/clientcmd"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/log"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"
)

const (
	prefix       = "agentbox.navix.sh/"
	poolLabel    = prefix + "sandbox-pool"
	phaseLabel   = prefix + "sandbox-phase"
	idLabel      = prefix + "sandbox-id"
	stateKey     = prefix + "inplace-update-state"
	startedAtKey = prefix + "started-at"
	lastActive   = prefix + "last-active"
)

// Annotations removed when a pod comes back to idle (the same list as agentbox's core).
var idleCleanup = []string{"sandbox-id", "claimed-at", "started-at", "sandbox-metadata", "stop-reason",
	"terminated-at", "failure-reason", "failure-message", "exit-code", "running-images", "container-id",
	"post-start-hooks"}

type lastStatus struct {
	ImageID     string `json:"imageID,omitempty"`
	ContainerID string `json:"containerID,omitempty"`
}

type stableStatus struct {
	ContainerID  string `json:"containerID,omitempty"`
	RestartCount int32  `json:"restartCount"`
}

type state struct {
	Phase                   string                  `json:"phase"`
	TargetImage             string                  `json:"targetImage,omitempty"`
	TargetImages            map[string]string       `json:"targetImages,omitempty"`
	TargetPodPhase          string                  `json:"targetPodPhase,omitempty"`
	UpdateTimestamp         *metav1.Time            `json:"updateTimestamp"`
	LastContainerStatuses   map[string]lastStatus   `json:"lastContainerStatuses,omitempty"`
	StableContainerStatuses map[string]stableStatus `json:"stableContainerStatuses,omitempty"`
}

type cached struct {
	digest  string
	expires time.Time
}

// resolver caches manifest digests per reference for a TTL and lets one request per reference fly.
type resolver struct {
	puller *remote.Puller
	ttl    time.Duration
	mu     sync.Mutex
	cache  map[string]cached
	flying map[string]chan struct{}
}

func (r *resolver) resolve(ctx context.Context, image string) (string, error) {
	if i := strings.Index(image, "@"); i >= 0 {
		return image[i+1:], nil
	}
	for {
		r.mu.Lock()
		if c, ok := r.cache[image]; ok && time.Now().Before(c.expires) {
			r.mu.Unlock()
			return c.digest, nil
		}
		if ch, ok := r.flying[image]; ok {
			r.mu.Unlock()
			<-ch
			continue
		}
		ch := make(chan struct{})
		r.flying[image] = ch
		r.mu.Unlock()
		digest, err := r.head(ctx, image)
		r.mu.Lock()
		delete(r.flying, image)
		if err == nil {
			r.cache[image] = cached{digest: digest, expires: time.Now().Add(r.ttl)}
		}
		r.mu.Unlock()
		close(ch)
		return digest, err
	}
}

func (r *resolver) head(ctx context.Context, image string) (string, error) {
	opts := []name.Option{}
	if strings.HasPrefix(image, "127.0.0.1:") || strings.HasPrefix(image, "localhost:") {
		opts = append(opts, name.Insecure)
	}
	ref, err := name.ParseReference(image, opts...)
	if err != nil {
		return "", err
	}
	desc, err := r.puller.Head(ctx, ref)
	if err != nil {
		return "", err
	}
	return desc.Digest.String(), nil
}

func digestFromImageID(imageID string) string {
	if i := strings.LastIndex(imageID, "@"); i >= 0 {
		return imageID[i+1:]
	}
	return strings.TrimPrefix(imageID, "docker://")
}

type reconciler struct {
	cached   client.Client
	reader   client.Reader
	resolver *resolver
}

func parseState(pod *corev1.Pod) *state {
	raw, ok := pod.Annotations[stateKey]
	if !ok {
		return nil
	}
	var s state
	if err := json.Unmarshal([]byte(raw), &s); err != nil {
		return nil
	}
	return &s
}

func (r *reconciler) completed(ctx context.Context, pod *corev1.Pod, s *state) bool {
	for container, last := range s.LastContainerStatuses {
		var spec *corev1.Container
		for i := range pod.Spec.Containers {
			if pod.Spec.Containers[i].Name == container {
				spec = &pod.Spec.Containers[i]
			}
		}
		if spec == nil {
			return false
		}
		if target, ok := s.TargetImages[container]; ok && spec.Image != target {
			return false
		}
		var status *corev1.ContainerStatus
		for i := range pod.Status.ContainerStatuses {
			if pod.Status.ContainerStatuses[i].Name == container {
				status = &pod.Status.ContainerStatuses[i]
			}
		}
		if status == nil || status.ContainerID == "" || (last.ContainerID != "" && status.ContainerID == last.ContainerID) {
			return false
		}
		// A half-written status can pair the new imageID with the killed container's id and state.
		if status.State.Running == nil {
			return false
		}
		target, err := r.resolver.resolve(ctx, spec.Image)
		if err != nil || digestFromImageID(status.ImageID) != target {
			return false
		}
	}
	return true
}

func (r *reconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	var pod corev1.Pod
	if err := r.cached.Get(ctx, req.NamespacedName, &pod); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	s := parseState(&pod)
	if s == nil || s.Phase == "completed" || !r.completed(ctx, &pod, s) {
		return ctrl.Result{}, nil
	}
	// One guarded JSON patch from the cached copy, as agentbox's controller writes it: test the phase label
	// and the state annotation it decided on, then set what the completion changes.
	edited := pod.DeepCopy()
	completeEdit(edited, s)
	patch, err := completionPatch(&pod, edited)
	if err != nil {
		return ctrl.Result{}, err
	}
	err = r.cached.Patch(ctx, edited, client.RawPatch(types.JSONPatchType, patch))
	if err == nil {
		return ctrl.Result{}, nil
	}
	if !apierrors.IsInvalid(err) && !apierrors.IsConflict(err) {
		return ctrl.Result{}, err
	}
	// The pod moved on since the cached copy: re-read it and decide again (GET + PUT).
	var fresh corev1.Pod
	if err := r.reader.Get(ctx, req.NamespacedName, &fresh); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	if fresh.Labels[phaseLabel] != pod.Labels[phaseLabel] {
		return ctrl.Result{}, nil
	}
	s = parseState(&fresh)
	if s == nil || s.Phase == "completed" || !r.completed(ctx, &fresh, s) {
		return ctrl.Result{}, nil
	}
	completeEdit(&fresh, s)
	if err := r.cached.Update(ctx, &fresh); err != nil {
		if apierrors.IsConflict(err) {
			return ctrl.Result{Requeue: true}, nil
		}
		return ctrl.Result{}, err
	}
	return ctrl.Result{}, nil
}

// completeEdit sets the completion on pod (the edit of agentbox's withUpdateCompleted).
func completeEdit(pod *corev1.Pod, s *state) {
	now := metav1.NewTime(time.Now().UTC().Truncate(time.Second))
	target := s.TargetPodPhase
	done := state{Phase: "completed", TargetImage: s.TargetImage, TargetImages: s.TargetImages,
		TargetPodPhase: target, UpdateTimestamp: &now}
	if target != "" {
		pod.Labels[phaseLabel] = target
	}
	if target == "running" || target == "" {
		done.StableContainerStatuses = map[string]stableStatus{}
		for _, cs := range pod.Status.ContainerStatuses {
			if _, ok := s.TargetImages[cs.Name]; ok {
				done.StableContainerStatuses[cs.Name] = stableStatus{ContainerID: cs.ContainerID, RestartCount: cs.RestartCount}
			}
		}
		stamp := now.Format(time.RFC3339)
		pod.Annotations[startedAtKey] = stamp
		pod.Annotations[lastActive] = stamp
	}
	if target == "idle" {
		delete(pod.Labels, idLabel)
		for _, key := range idleCleanup {
			delete(pod.Annotations, prefix+key)
		}
	}
	raw, _ := json.Marshal(done)
	pod.Annotations[stateKey] = string(raw)
}

type jsonPatchOp struct {
	Op    string  `json:"op"`
	Path  string  `json:"path"`
	Value *string `json:"value,omitempty"`
}

// completionPatch: tests on before's phase label and state, then adds and removes of the labels and
// annotations after changed.
func completionPatch(before, after *corev1.Pod) ([]byte, error) {
	esc := strings.NewReplacer("~", "~0", "/", "~1")
	str := func(v string) *string { return &v }
	ops := []jsonPatchOp{
		{Op: "test", Path: "/metadata/labels/" + esc.Replace(phaseLabel), Value: str(before.Labels[phaseLabel])},
		{Op: "test", Path: "/metadata/annotations/" + esc.Replace(stateKey), Value: str(before.Annotations[stateKey])},
	}
	diff := func(field string, b, a map[string]string) {
		for k, v := range a {
			if old, ok := b[k]; !ok || old != v {
				ops = append(ops, jsonPatchOp{Op: "add", Path: "/metadata/" + field + "/" + esc.Replace(k), Value: str(v)})
			}
		}
		for k := range b {
			if _, ok := a[k]; !ok {
				ops = append(ops, jsonPatchOp{Op: "remove", Path: "/metadata/" + field + "/" + esc.Replace(k)})
			}
		}
	}
	diff("labels", before.Labels, after.Labels)
	diff("annotations", before.Annotations, after.Annotations)
	return json.Marshal(ops)
}

func main() {
	namespace := flag.String("namespace", "", "watch only this namespace")
	concurrency := flag.Int("concurrency", 8, "concurrent reconciles")
	metricsAddr := flag.String("metrics-bind-address", "0", "address of the Prometheus metrics endpoint (0 = off)")
	flag.Parse()
	log.SetLogger(logr.Discard()) // the benchmark reads no logs; this also silences controller-runtime's warning

	// controller-runtime registers --kubeconfig itself (its config package's init).
	kubeconfig := ""
	if f := flag.Lookup("kubeconfig"); f != nil {
		kubeconfig = f.Value.String()
	}
	cfg, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		fmt.Fprintln(os.Stderr, "kubeconfig:", err)
		os.Exit(1)
	}
	// At its best: no client-side throttling (client-go's default is 5 QPS, controller-runtime's 20).
	cfg.QPS = -1
	cfg.Burst = 0

	hasPool, _ := labels.NewRequirement(poolLabel, selection.Exists, nil)
	cacheOpts := cache.Options{
		DefaultTransform: cache.TransformStripManagedFields(),
		ByObject:         map[client.Object]cache.ByObject{&corev1.Pod{}: {Label: labels.NewSelector().Add(*hasPool)}},
	}
	if *namespace != "" {
		cacheOpts.DefaultNamespaces = map[string]cache.Config{*namespace: {}}
	}
	mgr, err := ctrl.NewManager(cfg, ctrl.Options{
		Cache:                  cacheOpts,
		Metrics:                metricsserver.Options{BindAddress: *metricsAddr},
		HealthProbeBindAddress: "0",
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "manager:", err)
		os.Exit(1)
	}
	puller, err := remote.NewPuller()
	if err != nil {
		fmt.Fprintln(os.Stderr, "puller:", err)
		os.Exit(1)
	}
	r := &reconciler{
		cached:   mgr.GetClient(),
		reader:   mgr.GetAPIReader(),
		resolver: &resolver{puller: puller, ttl: time.Minute, cache: map[string]cached{}, flying: map[string]chan struct{}{}},
	}
	err = ctrl.NewControllerManagedBy(mgr).
		For(&corev1.Pod{}).
		WithOptions(controller.Options{MaxConcurrentReconciles: *concurrency}).
		Complete(r)
	if err != nil {
		fmt.Fprintln(os.Stderr, "controller:", err)
		os.Exit(1)
	}
	ctx := ctrl.SetupSignalHandler()
	go func() {
		// WaitForCacheSync alone answers at once while no informer exists yet (the controller makes its pod
		// informer only when the manager starts it): get the pod informer first, so "synced" means its list.
		if _, err := mgr.GetCache().GetInformer(ctx, &corev1.Pod{}); err != nil {
			fmt.Fprintln(os.Stderr, "informer:", err)
			return
		}
		if mgr.GetCache().WaitForCacheSync(ctx) {
			fmt.Println("synced")
		}
	}()
	if err := mgr.Start(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "start:", err)
		os.Exit(1)
	}
}
