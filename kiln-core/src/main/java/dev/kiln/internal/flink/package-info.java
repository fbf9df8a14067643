/**
 * Flink job images: the official base images by version, the layout of a job image under
 * {@code FLINK_HOME} (least often changing layers first), the job jar's entry point, and the
 * deployment that runs the image ({@code FlinkDeployment} for the Flink Kubernetes Operator, or the
 * arguments of Flink's native {@code kubernetes-application} mode).
 */
package dev.kiln.internal.flink;
